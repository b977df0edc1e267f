# xargs: the shell's built-in against /usr/bin/xargs under dash: words,
# quotes, -n, -I, statuses, and commands that are built-ins or programs.
printf 'a b\nc\n' | xargs echo
printf '1\n2\n3\n4\n5\n' | xargs -n 2 echo
printf 'x y\n  z\n\n' | xargs -I {} echo pre-{}-post {}
echo | xargs echo; echo "empty $?"
printf '' | xargs echo nothing; echo "no input $?"
printf 'a\n' | xargs false; echo "false $?"
printf 'a\n' | xargs true; echo "true $?"
echo "'a b' c \"d e\" f\\ g" | xargs -n 1 echo
printf '1\n2\n3\n' | xargs -n 1 test 2 -eq; echo "test $?"
printf '1 2 3 4 5 6 7 8 9 10\n' | xargs -n 3 echo
printf 'a.txt\nb.txt\n' | xargs cat
printf 'a.txt\n' | xargs -I F cat F F
echo "'a" | xargs echo; echo "unmatched $?"
printf 'one\ttwo\n' | xargs -n1 echo | wc -l
printf 'a.txt\n' | xargs -I F cat - F
echo a | xargs -n 1x echo 2>/dev/null; echo "-n 1x $?"
echo a | xargs -n 99999999999999999999999 echo; echo "-n huge $?"
echo a | xargs -n 0 echo 2>/dev/null; echo "-n 0 $?"
