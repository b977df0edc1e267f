# Redirections: > >> < 2> 2>&1, on builtins and commands, order of 2>&1.
echo one > out.txt
echo two >> out.txt
cat out.txt
cat < out.txt
wc -l < out.txt
ls no-such-file 2> err.txt; echo "ls status $?"
wc -l < err.txt
ls no-such-file > both.txt 2>&1; echo "status $?"
wc -l < both.txt
ls no-such-file 2>&1 > only-out.txt | wc -l
echo to-stderr 1>&2 2>/dev/null
> empty.txt; wc -c < empty.txt
echo "$X" > "name with space.txt"; cat "name with space.txt"
cat < no-such-input; echo "status $?"
echo x > /no/such/dir/f; echo "status $?"
