"""Allow `python -m jmap`, with the same behaviour as the console script."""

from jmap.cli import main

if __name__ == "__main__":
    main()
