"""`python -m vervoer`."""

from vervoer.cli import main

if __name__ == "__main__":
    main()
