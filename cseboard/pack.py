"""`python -m cseboard.pack`: the shell command scheduled jobs call; it lives in cseboard.tools.pack."""
import sys

from cseboard.tools.pack import main

if __name__ == "__main__":
    sys.exit(main())
