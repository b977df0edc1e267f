# test and [ with -a, -o, ! and parentheses, against dash's built-in.
[ a = a -a b = b ] && echo and1
[ a = a -a b = c ] || echo and2
[ a = b -o 1 -le 1 ] && echo or1
[ ! a = b -a -n x ] && echo not1
[ \( a = a \) ] && echo paren1
[ ! \( a = b -o c = d \) ] && echo paren2
[ -n x -a -z "" -o -d nope ] && echo mixed
test 1 -eq 1 -a 2 -gt 1; echo "st $?"
test 1 -eq 2 -o 2 -gt 3; echo "st $?"
[ -f a.txt -a -d sub ] && echo files
[ -e nope -o -f b.txt ] && echo files2
[ -d nope -o -d sub -a -f nope ] || echo prec
[ x -a "" ] || echo empty-and
[ "" -o y ] && echo empty-or
[ ! "" ] && echo not-empty
test a = a; echo "three $?"
[ a != a ]; echo "ne $?"
# -s: the file exists and is not empty.
: > empty.txt
[ -s a.txt ] && echo size-a
[ -s empty.txt ]; echo "s-empty $?"
[ -s nope ]; echo "s-nope $?"
[ -s sub ] && echo s-dir
test ! -s empty.txt && echo not-s
[ -s a.txt -a ! -s empty.txt ] && echo s-and
test -s; echo "s-alone $?"
