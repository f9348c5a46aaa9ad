# bench/plot.gp - CPU µs per request by scenario: floor, endsession,
# node-oidc-provider.  Run in the output folder after bench/run wrote cpu.dat.
set terminal svg size 900,480 dynamic font "sans,12"
set output "cpu.svg"
set title "Server CPU per request (nginx + FastCGI children, or the node process)"
set ylabel "CPU µs / request"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set datafile missing "-"
set key top left
set grid ytics
set yrange [0:*]
set xtics rotate by -25 scale 0
plot "cpu.dat" using 2:xtic(1) title "floor (bench/hello.c)" lc rgb "#9ca3af", \
     ""        using 3 title "endsession" lc rgb "#1d4ed8", \
     ""        using 4 title "node-oidc-provider 9.13" lc rgb "#b91c1c"
