# Quoting: single, double, backslashes, adjacent parts, empty arguments.
echo 'single $HOME "q" \n'
echo "double $X 'q' \$ \" \\ end"
echo a\ b c\\d \$X
echo "a"'b'c"$X"'$X'
printf '[%s]\n' "" '' a"" ""b
printf '[%s]\n' "  spaced  out  "
echo 'it''s' "multi
line"
echo \# not a comment # but this is
echo a#b
