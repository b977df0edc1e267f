# Pipelines: data through several commands, the last command's status.
echo hello world | tr a-z A-Z
printf 'b\na\nc\n' | sort | head -n 2
printf 'x\ny\n' | wc -l
false | true; echo "status $?"
true | false; echo "status $?"
echo piped | cat | cat | cat
seq 1 2000 | tail -n 1
! echo x | grep -q y; echo "negated $?"
for i in 1 2 3; do echo "n$i"; done | tr n N
