"""`python -m switchboard`: the same as the `switchboard` command."""

from switchboard.cli import run

if __name__ == "__main__":
    run()
