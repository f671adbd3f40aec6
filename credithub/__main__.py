"""`python -m credithub <command>`; see credithub/entrypoints/cli.py."""

from credithub.entrypoints.cli import main

main()
