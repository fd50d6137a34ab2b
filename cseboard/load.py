"""`python -m cseboard.load`: the shell command scheduled jobs call; it lives in cseboard.tools.load."""
import sys

from cseboard.tools.load import main

if __name__ == "__main__":
    sys.exit(main())
