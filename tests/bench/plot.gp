# SPDX-License-Identifier: GPL-2.0
# IOPS and mean latency of the 4 KiB workloads, per device, from report.sh.
# gnuplot -e "datafile='…'; outfile='…'" plot.gp
# datafile columns: label, IOPS raw dmcrypt nowq ecsenc, lat raw dmcrypt nowq ecsenc
set terminal pngcairo size 1600,1000 font ",10"
set output outfile
set termoption noenhanced
set datafile separator "\t"
set datafile missing "NaN"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y
set grid ytics
set key outside right top
set xtics rotate by -35 noenhanced
set multiplot layout 2,1 title "ecsenc vs dm-crypt, 4 KiB workloads (backing/sector size/workload), medians of one TCG boot"
set ylabel "IOPS (log)"
plot datafile using 2:xtic(1) title "raw" lc rgb "#888888", \
     '' using 3 title "dm-crypt" lc rgb "#d62728", \
     '' using 4 title "dm-crypt no_*_wq" lc rgb "#ff7f0e", \
     '' using 5 title "ecsenc" lc rgb "#1f77b4"
set ylabel "mean latency, us (log)"
plot datafile using 6:xtic(1) title "raw" lc rgb "#888888", \
     '' using 7 title "dm-crypt" lc rgb "#d62728", \
     '' using 8 title "dm-crypt no_*_wq" lc rgb "#ff7f0e", \
     '' using 9 title "ecsenc" lc rgb "#1f77b4"
unset multiplot
