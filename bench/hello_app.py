"""The framework's floor: a Textual app that only shows "hello" (bench/run's anchor)."""

from textual.app import App, ComposeResult
from textual.widgets import Static


class Hello(App):
    def compose(self) -> ComposeResult:
        yield Static("hello")


if __name__ == "__main__":
    Hello().run()
