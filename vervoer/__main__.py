from vervoer.cli import main

main()
