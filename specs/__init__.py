"""The specs shipped with the zoo, installed as the package data of ``zoo.specs``."""
