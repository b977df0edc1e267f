# Assignments: shell variables, exported ones reaching commands, prefix assignments.
A=1
B=two C=three
echo $A $B $C
export A
printenv A B; echo "printenv status $?"
B=prefix printenv B
echo "after prefix B=$B"
export D=dee
printenv D
unset D
printenv D; echo "after unset $?"
echo "D here=$D"
export E
printenv E; echo "empty export $?"
