"""`python -m cseboard.users add|disable|enable|reset|role|list`: local accounts; it lives in cseboard.tools.users."""
import sys

from cseboard.tools.users import main

if __name__ == "__main__":
    sys.exit(main())
