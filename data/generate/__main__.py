"""`python -m data.generate`: see data/generate/__init__.py."""

from data.generate.cli import main

raise SystemExit(main())
