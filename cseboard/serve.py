"""`python -m cseboard.serve` (what `make run` runs): the dashboard's server; it lives in cseboard.tools.serve."""
from cseboard.tools.serve import main

if __name__ == "__main__":
    main()
