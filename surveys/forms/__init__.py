"""Forms as data: documents (``document``), question types (``types``), the engine that
turns a definition into a FlaskForm (``engine``), the registry of published forms
(``registry``) and the seed files of the forms shipped with the code (``seeds/``)."""
