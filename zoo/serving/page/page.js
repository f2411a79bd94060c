// The page of `zoo serve`: plain JavaScript over the app's own routes (/info, /predict,
// /generate, /trace), nothing fetched from anywhere else.
"use strict";

const $ = (id) => document.getElementById(id);
let info = null;
let traced = null;

async function call(route, body) {
  const response = await fetch(route, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const answer = await response.json();
  if (!response.ok) throw new Error(answer.error || response.statusText);
  return answer;
}

function shout(error) {
  $("error").hidden = false;
  $("error").textContent = String(error.message || error);
}

function quiet() {
  $("error").hidden = true;
}

// -- what the model takes, from the textarea ----------------------------------------

function numbers(line) {
  return line.split(/[\s,;]+/).filter((v) => v !== "").map(Number);
}

function request() {
  const text = $("input").value.trim();
  if (info.takes === "texts") return { texts: text.split("\n").map((t) => t.trim()).filter((t) => t) };
  if (info.takes === "series") {
    const rows = text.split("\n").map(numbers).filter((row) => row.length);
    const series = rows.length === 1 ? rows[0] : rows; // one line: a univariate series
    return { series: [series] };
  }
  return { instances: JSON.parse(text) };
}

function traceRequest() {
  const text = $("trace-input").value;
  if (info.takes === "texts" || info.generates) return { text };
  const asked = request();
  return asked.series ? { series: asked.series[0] } : { instance: asked.instances[0] };
}

// -- answers -------------------------------------------------------------------------

function table(header, rows) {
  const head = "<tr>" + header.map((h) => `<th>${escape(h)}</th>`).join("") + "</tr>";
  const body = rows.map((row) => "<tr>" + row.map((v) => `<td>${v}</td>`).join("") + "</tr>");
  return `<table>${head}${body.join("")}</table>`;
}

function escape(text) {
  return String(text).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]));
}

function shown(value) {
  return typeof value === "number" ? value.toPrecision(5).replace(/\.?0+$/, "") : escape(value);
}

function showAnswer(answer) {
  const parts = answer.predictions.map((p) => {
    if (p.label !== undefined) {
      const shares = Object.entries(p.probabilities).sort((a, b) => b[1] - a[1]);
      return (
        `<p><span class="label" data-label="${escape(p.label)}">${escape(p.label)}</span>` +
        (p.text ? ` ← ${escape(p.text)}` : "") + "</p>" +
        table(["class", "probability"], shares.map(([c, v]) => [escape(c), v.toFixed(3)]))
      );
    }
    if (p.tags !== undefined) {
      return "<p>" + p.tokens.map((w, i) => `${escape(w)}/<span class="label">${escape(p.tags[i])}</span>`).join(" ") + "</p>";
    }
    if (p.forecast !== undefined) {
      const header = Object.keys(p.forecast[0]);
      return table(header, p.forecast.map((row) => header.map((h) => shown(row[h]))));
    }
    return `<pre>${escape(JSON.stringify(p.outputs))}</pre>`;
  });
  const warnings = (answer.warnings || []).map((w) => `<p class="hint">${escape(w)}</p>`);
  $("result").innerHTML = parts.join("") + warnings.join("");
}

async function answer() {
  quiet();
  try {
    const asked = request();
    showAnswer(await call("/predict", asked));
    if (info.traces) {
      if (asked.texts) $("trace-input").value = asked.texts[0];
      await trace();
    }
  } catch (error) {
    shout(error);
  }
}

// -- streaming generation -------------------------------------------------------------

async function generate() {
  quiet();
  const body = {
    length: Number($("length").value),
    temperature: Number($("temperature").value),
    stream: true,
  };
  if (info.translates) body.input = $("prime").value;
  else if ($("prime").value) body.prime = $("prime").value;
  const out = $("generated");
  out.textContent = info.translates ? "" : body.prime || "";
  try {
    const response = await fetch("/generate", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error((await response.json()).error);
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffered = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += decoder.decode(value, { stream: true });
      const events = buffered.split("\n\n");
      buffered = events.pop();
      for (const event of events) {
        const data = event.split("\n").find((line) => line.startsWith("data: "));
        if (!data) continue;
        const parsed = JSON.parse(data.slice(6));
        if (event.startsWith("event: done")) out.dataset.done = "true";
        else out.textContent += parsed.piece;
      }
    }
    if (info.traces && !info.translates) $("trace-input").value = lastWindow(out.textContent);
  } catch (error) {
    shout(error);
  }
}

// The characters a language model reads to go on from the text: its window (at most 40,
// to keep the maps legible), since a trace reads no more than the model does.
function lastWindow(text) {
  return text.slice(-Math.min(info.input.shape[1] || 40, 40));
}

// -- the recurrence as heatmaps -------------------------------------------------------

async function trace() {
  quiet();
  try {
    traced = await call("/trace", traceRequest());
  } catch (error) {
    shout(error);
    return;
  }
  const quantities = [...new Set(allLayers(traced).flatMap((l) => Object.keys(l.steps)))];
  const select = $("quantity");
  const kept = select.value;
  select.innerHTML = quantities.map((q) => `<option value="${escape(q)}">${escape(q)}</option>`).join("");
  select.value = quantities.includes(kept) ? kept : "h";
  $("trace-about").textContent =
    `${traced.name}: ${traced.cell}, ${traced.origin}. The traced h_t agrees with each ` +
    `layer's own loop over time to ${traced.agreement.toExponential(1)}.`;
  draw();
}

function allLayers(trace) {
  return trace.decoder ? [...trace.layers, ...trace.decoder.layers] : trace.layers;
}

function colour(value, scale) {
  if (value === null) return "#eee";
  const share = Math.min(1, Math.abs(value) / scale);
  const fade = Math.round(255 * (1 - share));
  return value >= 0 ? `rgb(255,${fade},${fade})` : `rgb(${fade},${fade},255)`;
}

function draw() {
  const quantity = $("quantity").value;
  const maps = $("maps");
  maps.innerHTML = "";
  const parts = traced.decoder ? [["encoder", traced], ["decoder", traced.decoder]] : [["", traced]];
  for (const [part, trace] of parts) {
    for (const layer of trace.layers) {
      const values = layer.steps[quantity];
      if (values) maps.appendChild(heatmap(trace, layer, quantity, values, part));
    }
  }
  $("step").innerHTML = "";
}

function heatmap(trace, layer, quantity, values, part) {
  const steps = trace.tokens.length;
  const units = values[0].length;
  const cellWidth = Math.max(10, Math.min(48, Math.floor(900 / steps)));
  const cellHeight = Math.max(3, Math.min(16, Math.floor(320 / units)));
  const labels = 18;
  const canvas = document.createElement("canvas");
  canvas.width = cellWidth * steps;
  canvas.height = cellHeight * units + labels;
  const context = canvas.getContext("2d");
  const finite = values.flat().filter((v) => v !== null);
  const scale = Math.max(1e-6, ...finite.map(Math.abs));
  context.fillStyle = "#eee"; // the steps this layer does not read (a differenced series' first)
  context.fillRect(0, 0, canvas.width, cellHeight * units);
  let painted = 0;
  layer.positions.forEach((position, run) => {
    values[run].forEach((value, unit) => {
      context.fillStyle = colour(value, scale);
      context.fillRect(position * cellWidth, unit * cellHeight, cellWidth, cellHeight);
      painted += 1;
    });
  });
  context.fillStyle = "#333";
  context.font = "11px monospace";
  trace.tokens.forEach((token, position) => {
    context.fillText(String(token).slice(0, Math.max(1, Math.floor(cellWidth / 7))), position * cellWidth + 1, canvas.height - 5);
  });
  canvas.dataset.painted = String(painted);
  canvas.addEventListener("click", (event) => {
    const box = canvas.getBoundingClientRect();
    const position = Math.floor(((event.clientX - box.left) * canvas.width) / box.width / cellWidth);
    showStep(trace, layer, position);
  });
  const figure = document.createElement("div");
  figure.className = "map";
  const symbol = layer.symbols[quantity] || quantity;
  const name = [part, layer.layer, layer.direction === "backward" ? "← backward" : ""].filter((s) => s).join(" ");
  figure.innerHTML = `<h3>${escape(name)}: ${escape(symbol)} (${units} units × ${steps} steps; |max| ${scale.toPrecision(3)})</h3>`;
  figure.appendChild(canvas);
  return figure;
}

function showStep(trace, layer, position) {
  const run = layer.positions.indexOf(position);
  if (run < 0) return;
  const rows = Object.entries(layer.steps).map(([quantity, values]) => {
    const vector = values[run];
    const head = vector.slice(0, 12).map((v) => (v === null ? "–" : v.toFixed(3))).join(" ");
    return [escape(layer.symbols[quantity] || quantity), head + (vector.length > 12 ? " …" : "")];
  });
  let said = "";
  if (trace.head && trace.head.positions.includes(position)) {
    said = `<p>The head answers here: <span class="label">${escape(trace.head.predicted[trace.head.positions.indexOf(position)])}</span></p>`;
  }
  $("step").innerHTML =
    `<h3>${escape(layer.layer)} ${escape(layer.direction)}, step ${position + 1}: ${escape(trace.tokens[position])}</h3>` +
    table(["quantity", "values (first 12 units)"], rows) + said;
}

// -- start ----------------------------------------------------------------------------

async function start() {
  info = await (await fetch("/info")).json();
  document.title = `zoo serve: ${info.name}`;
  $("title").textContent = info.name;
  const answers = { labels: "a label", tags: "a tag per word", forecast: "a forecast", outputs: "its outputs" };
  $("about").textContent =
    `A ${info.architecture} ${info.cell || ""} model (${info.model}). ` +
    (info.generates ? "It generates text." : `It takes ${info.takes} and answers with ${answers[info.answers]}.`);
  if (!info.generates) {
    $("ask").hidden = false;
    const hints = {
      texts: "One text per line.",
      series: "The series in the data's units, values separated by commas (a row per line for several columns); the last window is read.",
      instances: `A JSON list of examples, each of shape ${JSON.stringify(info.input.shape.slice(1))}.`,
    };
    $("input-hint").textContent = hints[info.takes];
    if (info.example) {
      const example = info.example[info.takes][0];
      $("input").value = info.takes === "texts" ? example : example.map((v) => (Array.isArray(v) ? v.join(", ") : v)).join(info.takes === "series" && Array.isArray(example[0]) ? "\n" : ", ");
    }
    $("answer").addEventListener("click", answer);
  } else {
    $("generate").hidden = false;
    if (info.translates) {
      $("generate-title").textContent = "Translate";
      $("prime").parentElement.firstChild.textContent = "Input ";
      $("length").parentElement.hidden = true;
      $("temperature").parentElement.hidden = true;
    }
    $("go").addEventListener("click", generate);
  }
  if (info.traces) {
    $("recurrence").hidden = false;
    $("trace-input").parentElement.hidden = !(info.takes === "texts" || info.generates);
    $("trace").addEventListener("click", trace);
    $("quantity").addEventListener("change", draw);
  }
}

start().catch(shout);
