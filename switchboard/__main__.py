"""`python -m switchboard`: the same as the `switchboard` command."""

from switchboard.cli import main

if __name__ == "__main__":
    main()
