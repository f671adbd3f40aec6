"""`python -m credithub <command>`; see credithub/entrypoints/cli/."""

from credithub.entrypoints.cli import main

main()
