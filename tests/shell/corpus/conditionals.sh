# if/then/elif/else/fi, test and [, statuses of conditionals.
if true; then echo yes; fi
if false; then echo no; else echo else-branch; fi
if false; then echo 1; elif true; then echo elif-branch; else echo 3; fi
if [ a = a ]; then echo eq; fi
if [ a != b ]; then echo ne; fi
if test -n "x" && [ -z "" ]; then echo nz; fi
if [ 3 -gt 2 ] && [ 2 -le 2 ] && [ 1 -lt 5 ] && [ 4 -ge 4 ] && [ 7 -eq 7 ] && [ 1 -ne 2 ]; then echo ints; fi
if [ -d sub ]; then echo dir; fi
if [ -f a.txt ] && [ ! -f sub ] && [ -e sub ]; then echo files; fi
if ! [ -e none ]; then echo missing; fi
if false; then :; fi; echo "if status $?"
if false; then :; else false; fi; echo "else status $?"
if true
then
  echo multi-line
fi
{ echo group; echo of; echo commands; } > g.txt; cat g.txt
