"""`python -m webinar_validate`: the same as the `webinar-validate` command."""

from webinar_validate.cli.main import main

raise SystemExit(main())
