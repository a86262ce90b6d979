from attribution.cli import main

raise SystemExit(main())
