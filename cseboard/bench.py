"""`python -m cseboard.bench`: the shell command scheduled jobs call; it lives in cseboard.tools.bench."""
import sys

from cseboard.tools.bench import main

if __name__ == "__main__":
    sys.exit(main())
