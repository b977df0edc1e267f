# * and ? against the directory, sorted; no match stays literal; quoted stays literal.
echo *.txt
echo ?.txt
echo sub/*
echo */x.txt
echo *.none
echo "*.txt" '*'.txt \*.txt
X='*.log'; echo $X "$X"
for f in *.txt; do echo "file $f"; done
