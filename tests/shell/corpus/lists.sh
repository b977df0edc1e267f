# Lists: ; && || and their statuses, negation, newlines after operators.
true && echo and-1
false && echo and-2
false || echo or-1
true || echo or-2
false && echo no || echo yes
true && false || echo recovered
! true; echo "not true: $?"
! false; echo "not false: $?"
echo a; echo b ; echo c
true &&
  echo after-newline
false ||
  echo after-newline-2
false; echo "$?"; echo "$?"
