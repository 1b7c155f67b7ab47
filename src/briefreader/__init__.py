"""briefreader: a keyboard-first terminal reader for structured analytic briefs."""

__version__ = "0.1.0"
