from visitcoach.cli import main

main()
