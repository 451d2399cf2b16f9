"""``python -m loyaltysim.cli``."""

from loyaltysim.cli.main import main

raise SystemExit(main())
