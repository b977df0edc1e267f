# Parameters: $VAR ${VAR} $? $# $0-less positional, unset, field splitting.
X=hello
Y='a  b   c'
echo $X ${X}world "${X}" $UNSET_VAR end
printf '[%s]\n' $Y
printf '[%s]\n' "$Y"
printf '[%s]\n' x$Y"y"
E=
printf '[%s]\n' $E "$E" ${E}z
false; echo "status $?"
true; echo "status $?"
set_and_use=1; echo $set_and_use
echo ~ ~/x "~" a~b
Z=$X; echo "$Z"
W="$Y"; printf '[%s]\n' $W
echo $ "$" a$ ${X}$
