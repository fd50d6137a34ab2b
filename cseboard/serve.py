"""`python -m cseboard.serve`: the dashboard, its default views worked out at start; it lives in cseboard.tools.serve."""
import sys

from cseboard.tools.serve import main

if __name__ == "__main__":
    sys.exit(main())
