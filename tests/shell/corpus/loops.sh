# for and while loops, nesting, loop variables, until.
for w in a b "c d"; do echo "w=$w"; done
for f in one
do
  echo "f=$f"
done
L='x y z'
for v in $L end; do printf '%s,' "$v"; done; echo
n=x
while [ "$n" != xxxx ]; do echo "n=$n"; n=${n}x; done
while false; do echo never; done; echo "while status $?"
until true; do echo never; done; echo "until status $?"
for a in 1 2; do for b in x y; do echo "$a$b"; done; done
for e in; do echo never; done; echo "empty for $?"
