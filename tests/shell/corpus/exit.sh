# exit with and without a status; commands after exit do not run.
echo before
false
exit 3
echo after
