"""The command line: parse, build, execute; reporters and outputs."""
