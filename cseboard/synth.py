"""`python -m cseboard.synth`: the shell command scheduled jobs call; it lives in cseboard.tools.synth."""
import sys

from cseboard.tools.synth import main

if __name__ == "__main__":
    sys.exit(main())
