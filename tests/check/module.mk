# tests/check: clang-format and cppcheck over the tree, as a suite.
COMPONENT_SUITES += check/style
SUITE_CMD_check/style := sh tests/check/run_check.sh
