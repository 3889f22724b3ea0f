from wflint.cli import main

main()
