#!/usr/bin/env bash
# 1000 random table lines and messages against one device name, each
# checked against a model of what it must do.  Table lines mix valid and
# invalid ciphers, keys (hex of right and wrong lengths, keyring references
# to keys that exist, are too short, are not logon keys or do not exist),
# iv_offsets, devices, offsets, optional parameters (counts, values,
# duplicates, garbage) and lengths that do and do not fit the device; they
# are loaded with dmsetup create, or as reloads of a live device.  A line
# the model refuses must fail with the model's own reason in the kernel log;
# a line it accepts must load, show exactly the model's table (the key as
# its keyring reference or "-") and write and read back a few data units
# (a discard, too, where allowed).  Messages (key wipe, key set, garbage)
# go to the live device and to the suspended one, followed by a resume that
# must work exactly when a key is loaded; after a key change, data written
# before reads back exactly when the key is the same again.  No key byte may
# show in any table, status or kernel log line, and the kernel may not warn.
#
# The seed is printed; ECSENC_FUZZ_SEED=<seed> replays a run, and a failure
# shows the exact table line or message.
. "$TESTLIB"
default_kernel_only
need keyctl blkdiscard

seed=${ECSENC_FUZZ_SEED:-$(($(date +%s) % 100000))}
items=${ECSENC_FUZZ_ITEMS:-1000}
RANDOM=$seed
log "seed $seed (replay: ECSENC_FUZZ_SEED=$seed), $items items"

# Every kernel log line of this test, as it comes.
: >/tmp/kmsg.log
cat /dev/kmsg >>/tmp/kmsg.log &
kmsg_pid=$!
on_exit "kill $kmsg_pid"
exec 7</tmp/kmsg.log
exec 8<> <(:)
nap() { read -rt "$1" -u 8 _ || true; }
KMSG=""
kmsg_drain() {
	local rec
	while IFS= read -r -u 7 rec; do
		KMSG+="${rec#*;}"$'\n'
	done
}
# Wait until the kernel has said $1 since the last kmsg_reset.
kmsg_wait() {
	local i
	for ((i = 0; i < 50; i++)); do
		kmsg_drain
		[[ $KMSG == *"$1"* ]] && return 0
		nap 0.02
	done
	return 1
}
kmsg_reset() { kmsg_drain; KMSG=""; }

# --- the world: devices, keys ------------------------------------------
loop_a=$(make_loop 8 fz-a)		# 512-byte logical blocks
img_b=/tmp/fz-b.img
truncate -s 4M $img_b
loop_b=$(losetup -b 4096 -f --show $img_b)	# 4096-byte logical blocks
on_exit "losetup -d $loop_b; rm -f $img_b"
: >/tmp/fz-file
majmin() { printf '%d:%d' "0x$(stat -L -c %t "$1")" "0x$(stat -L -c %T "$1")"; }
# path majmin sectors lbs discard-asserted
devices=(
	"$loop_a $(majmin "$loop_a") 16384 512 1"
	"$(majmin "$loop_a") $(majmin "$loop_a") 16384 512 1"
	"$loop_b $(majmin "$loop_b") 8192 4096 1"
	"$(majmin "$loop_b") $(majmin "$loop_b") 8192 4096 1"
)
if [ -b /dev/vda ]; then	# completes in hard interrupt context
	devices+=("/dev/vda $(majmin /dev/vda) $(blockdev --getsz /dev/vda) 512 0")
fi
bad_devices=(/dev/nonexistent /tmp/fz-file /dev/null 9999:0)

# Four hex keys derived from the seed; key 0 is also the logon key fz:good.
keys=()
for i in 0 1 2 3; do
	keys+=("$(printf 'ecsenc-fuzz-%s-%s' "$seed" $i | sha512sum | cut -d' ' -f1)")
done
keyctl link @u @s
hex_to_file "${keys[0]}" /tmp/fz-good.bin
on_exit "keyctl unlink $(keyctl padd logon fz:good @u </tmp/fz-good.bin) @u"
on_exit "keyctl unlink $(head -c 32 /tmp/fz-good.bin | keyctl padd logon fz:short @u) @u"
on_exit "keyctl unlink $(keyctl padd user fz:user @u </tmp/fz-good.bin) @u"
# No 16-digit piece of any key may show anywhere.
for k in "${keys[@]}"; do
	for i in 0 16 32 48 64 80 96 112; do echo "${k:$i:16}"; done
done >/tmp/key-pieces
no_key_in() {		# text what
	local p lower=${1,,}
	while read -r p; do
		[[ $lower != *"$p"* ]] || fail "key bytes ($p) in $2: $1"
	done </tmp/key-pieces
}

for i in 0 1 2 3 4 5 6 7; do
	head -c 16384 /dev/urandom >/tmp/pat$i
done

pick() {		# word...: one of them, in $REPLY
	local a=("$@")
	REPLY=${a[RANDOM % ${#a[@]}]}
}
chance() { [ $((RANDOM % 100)) -lt "$1" ]; }

# --- a random table line and what the model says it must do ------------
# Sets LINE, WANT (a reason the kernel must give, or "" to load), AT
# ("load" or "resume": where a dm core check refuses it) and, for a line
# that loads, EXPECT (its table as dmsetup shows it) and the new device's
# parameters N_* (key id, sectors, I/O unit, discards).
gen_line() {
	local cipher keyv ivo ivo_v dev off len opts=() nopts count ss=512
	local iv_large=0 discards=0 bad=() errs=() k u dsz dlbs dmm dpath disc
	local canon_key='-' want_core=""
	WANT="" AT=load

	# One or two parts made bad, or (less often: loading a table costs
	# more) all valid.
	if chance 70; then
		pick argc cipher key key ivo dev off len opts opts count
		bad+=("$REPLY")
		if chance 20; then pick cipher key ivo dev off len opts; bad+=("$REPLY"); fi
	fi
	is_bad() { [[ " ${bad[*]} " == *" $1 "* ]]; }

	# Optional parameters first: they set the data unit.
	if chance 50; then ss=$((512 << (RANDOM % 4))); fi
	chance 30 && discards=1
	[ $ss -gt 512 ] && chance 40 && iv_large=1
	[ $discards = 1 ] && opts+=(allow_discards)
	if [ $ss != 512 ] || chance 10; then opts+=("sector_size:$ss"); fi
	[ $iv_large = 1 ] && opts+=(iv_large_sectors)
	# shuffle
	for ((i = ${#opts[@]} - 1; i > 0; i--)); do
		j=$((RANDOM % (i + 1)))
		k=${opts[i]} opts[i]=${opts[j]} opts[j]=$k
	done
	nopts=${#opts[@]}
	count=$nopts
	if is_bad opts; then
		case $((RANDOM % 6)) in
		0) pick same_cpu_crypt allow_discard sector_size=4096 integrity:32:aead \
			no_read_workqueue '*'
		   opts+=("$REPLY"); errs+=("Unknown optional parameter") ;;
		1) pick 0 256 1000 8192 abc "" 4096x 65536
		   # A second sector_size is refused before its value is read.
		   if [[ " ${opts[*]}" == *" sector_size:"* ]]; then
			errs+=("Duplicate optional parameter")
		   else
			errs+=("Invalid sector_size")
		   fi
		   opts+=("sector_size:$REPLY") ;;
		2) if [ $nopts -gt 0 ]; then
			opts+=("${opts[RANDOM % nopts]}")
		   else
			opts+=(allow_discards allow_discards)
		   fi
		   errs+=("Duplicate optional parameter") ;;
		3) opts=(iv_large_sectors); [ $discards = 1 ] && opts+=(allow_discards)
		   ss=512 iv_large=1
		   errs+=("iv_large_sectors needs a sector_size above 512") ;;
		4) errs+=("Invalid number of optional parameters") ;;
		5) opts+=(extra); errs+=("Too many arguments") ;;
		esac
		count=${#opts[@]}
		case ${errs[-1]} in
		"Too many arguments") count=$((count - 1)) ;;
		"Invalid number of optional parameters") count=$((4 + RANDOM % 2)) ;;
		esac
		# More than three are refused whatever they are.
		[ "$count" -le 3 ] || errs=("Invalid number of optional parameters")
	elif is_bad count; then
		pick "$((nopts + 1))" 4 x -1
		count=$REPLY
		errs+=("Invalid number of optional parameters")
	fi
	u=$((ss / 512))

	# The backing device.
	pick "${devices[@]}"
	read -r dpath dmm dsz dlbs disc <<<"$REPLY"
	local lu=$(((ss > dlbs ? ss : dlbs) / 512))	# I/O unit, sectors
	if is_bad dev; then
		pick "${bad_devices[@]}"
		dpath=$REPLY
	fi

	# Offset and length: aligned and fitting, unless made bad.
	off=$(((RANDOM % 4) * lu * (RANDOM % 64)))
	[ $off -lt $((dsz / 2)) ] || off=0
	len=$(((1 + RANDOM % 256) * lu))
	[ $((off + len)) -le $dsz ] || len=$(((dsz - off) / lu * lu))
	local off_s=$off len_s=$len
	if is_bad off; then
		case $((RANDOM % 4)) in
		0) pick abc -8 1x 0x10 18446744073709551616 99999999999999999999999
		   off_s=$REPLY; errs+=("Invalid device offset") ;;
		1) if [ $u -gt 1 ]; then
			off_s=$((off + 1 + RANDOM % (u - 1)))
			errs+=("Device offset is not a multiple of sector_size")
		   elif [ $lu -gt 1 ]; then
			off_s=$((off + 1 + RANDOM % (lu - 1)))
			want_core="not aligned to h/w logical block size"
		   else
			off_s=$dsz want_core="too small for target"
		   fi ;;
		2) off_s=$((dsz - len + lu)); want_core="too small for target" ;;
		3) off_s=18446744073709551608; want_core="too small for target" ;;
		esac
	fi
	if is_bad len; then
		case $((RANDOM % 3)) in
		0) if [ $u -gt 1 ]; then
			len_s=$((len + 1 + RANDOM % (u - 1)))
			errs+=("Mapping length is not a multiple of sector_size")
		   elif [ $lu -gt 1 ]; then
			len_s=$((len + 1 + RANDOM % (lu - 1)))
			[ -n "$want_core" ] || want_core="not aligned to h/w logical block size"
		   else
			len_s=0
		   fi ;;
		1) len_s=$((dsz - off + lu)); want_core="too small for target" ;;
		2) len_s=0 ;;
		esac
		# Dm refuses an empty target before any constructor sees it.
		[ "$len_s" != 0 ] || errs=("zero-length target")
	fi

	# iv_offset: a multiple of the data unit, or not.  Kept as text:
	# the largest values do not fit in the shell's arithmetic.
	ivo_v=$(((RANDOM * 32768 + RANDOM) * u))
	ivo=$ivo_v
	if chance 5; then
		ivo="+$ivo_v"
	elif chance 5; then
		ivo=18446744073709551608 ivo_v=$ivo
	fi
	if is_bad ivo; then
		case $((RANDOM % 2)) in
		0) pick abc -1 1x 0x10 18446744073709551616 99999999999999999999999
		   ivo=$REPLY; errs+=("Invalid iv_offset") ;;
		1) if [ $u -gt 1 ]; then
			ivo=$((RANDOM * u + 1 + RANDOM % (u - 1)))
			errs+=("iv_offset is not a multiple of sector_size")
		   else
			ivo=18446744073709551615 ivo_v=$ivo
		   fi ;;
		esac
	fi

	# Cipher and key.
	pick aes-xts-plain64 aes-xts-plain64 'capi:xts(aes)-plain64'
	cipher=$REPLY
	if is_bad cipher; then
		case $((RANDOM % 3)) in
		0) pick aes-cbc-essiv:sha256 AES-XTS-PLAIN64 aes-xts-plain aes-xts-plain64:x \
			'capi:xts(aes)-plain' xts
		   cipher=$REPLY; errs+=("Unsupported cipher") ;;
		*) pick 'capi:ecb(cipher_null)-plain64' \
			'capi:cryptd(xts(ecb(aes-generic)))-plain64'
		   cipher=$REPLY; errs+=("Test-only cipher") ;;
		esac
	fi
	N_KEY=$((RANDOM % 4))
	keyv=${keys[N_KEY]}
	if chance 15; then
		keyv=${keyv^^}
	elif chance 20; then
		keyv=:64:logon:fz:good N_KEY=0 canon_key=:64:logon:fz:good
	fi
	if is_bad key; then
		k=${keys[RANDOM % 4]}
		case $((RANDOM % 12)) in
		0) keyv=${k:0:64}; errs+=("AES-128 refused") ;;
		1) keyv=${k:0:127}; errs+=("odd number of hex digits") ;;
		2) keyv=${k}0a; errs+=("Invalid key size") ;;
		3) keyv=${k:0:100}g${k:101}; errs+=("not a hexadecimal string") ;;
		4) keyv=:64:logon:fz:missing; errs+=("Keyring key not found") ;;
		5) keyv=:64:logon:fz:short; errs+=("Keyring key payload is not 64 bytes") ;;
		6) keyv=:64:user:fz:user; errs+=("only logon keys are accepted") ;;
		7) keyv=:32:logon:fz:short; errs+=("AES-128 refused") ;;
		8) keyv=:64:logon:; errs+=("empty description") ;;
		9) keyv=:64; errs+=("expected :64:logon:<description>") ;;
		10) keyv=-; errs+=("Key not shown") ;;
		11) keyv=:x:logon:fz:good; errs+=("Invalid keyring key size") ;;
		esac
	fi

	LINE="0 $len_s ecsenc $cipher $keyv $ivo $dpath $off_s"
	[ ${#opts[@]} -eq 0 ] && [ "$count" = "$nopts" ] && ! is_bad opts ||
		LINE="$LINE $count ${opts[*]}"
	is_bad argc && LINE="0 $len_s ecsenc $cipher $keyv $ivo $dpath"

	# The first reason, in the order the kernel checks.
	local order=("zero-length target" "Not enough arguments" "Unsupported cipher"
		"Test-only cipher" "Invalid number of optional parameters"
		"Unknown optional parameter" "Invalid sector_size"
		"Duplicate optional parameter" "Too many arguments"
		"iv_large_sectors needs" "Invalid iv_offset"
		"iv_offset is not a multiple" "Invalid device offset"
		"Device offset is not a multiple" "Mapping length is not a multiple"
		"Device lookup failed" "Key not shown" "AES-128 refused"
		"odd number of hex digits" "Invalid key size" "not a hexadecimal string"
		"Keyring key not found" "Keyring key payload" "only logon keys"
		"empty description" "expected :64:logon" "Invalid keyring key size")
	is_bad argc && errs+=("Not enough arguments")
	is_bad dev && errs+=("Device lookup failed")
	for w in "${order[@]}"; do
		for e in "${errs[@]}"; do
			if [[ $e == "$w"* ]]; then WANT=$e; break 2; fi
		done
	done
	if [ -z "$WANT" ] && [ -n "$want_core" ]; then
		WANT=$want_core AT=resume
	fi

	local o=()
	[ $discards = 1 ] && o+=(allow_discards)
	[ $ss = 512 ] || o+=("sector_size:$ss")
	[ $iv_large = 1 ] && o+=(iv_large_sectors)
	EXPECT="0 $len_s ecsenc $cipher $canon_key $ivo_v $dmm $off_s"
	[ ${#o[@]} -eq 0 ] || EXPECT="$EXPECT ${#o[@]} ${o[*]}"
	N_LEN=$len_s N_UNIT=$((lu * 512)) N_DISCARDS=$discards N_DISC_CHECK=$disc
}

# --- the device and what the model knows about it -----------------------
map=/dev/mapper/fz
on_exit "dmsetup remove --retry fz"
EXISTS=0 SUSP=0 KEYV=0 CUR_KEY=-1 BLOCK=""
LIVE_EXPECT="" LIVE_LEN=0 LIVE_UNIT=512 LIVE_DISCARDS=0 LIVE_DISC_CHECK=0
item=0 op=""
declare -A tally

failcase() {		# what
	kmsg_drain
	fail "seed $seed, item $item ($op): $1
    table line: $LINE
    expected:   ${WANT:-to load}
    kernel said: $(printf '%s' "$KMSG" | tail -n 4)"
}

# The command fails, and the kernel says why.
refused_with() {	# reason command...
	local why=$1
	shift
	if "$@" >/dev/null 2>&1; then
		failcase "not refused: $*"
	fi
	kmsg_wait "$why" || failcase "refused, but not with '$why'"
}

# The live table is the model's, and shows no key.
check_table() {
	local t
	t=$(dmsetup table fz) || failcase "dmsetup table failed"
	no_key_in "$t" "dmsetup table"
	[ "$t" = "$LIVE_EXPECT" ] || failcase "table is '$t', expected '$LIVE_EXPECT'"
}

check_status() {
	local st want=nokey
	[ "$KEYV" = 1 ] && want=key
	st=$(dmsetup status fz) || failcase "dmsetup status failed"
	no_key_in "$st" "dmsetup status"
	[[ $st == *" ecsenc $want "* ]] || failcase "status '$st', expected $want"
}

# The data units BLOCK names read back as written, or (another key) not.
# One process: a buffered read, of pages that cannot be stale (a reload
# or a key change leaves the old plaintext in the page cache).
block_reads() {
	local u bytes p
	read -r u bytes p _ <<<"$BLOCK"
	drop_page_cache
	cmp -s -n "$bytes" /tmp/pat$p $map 0 $((u * LIVE_UNIT))
}

# A few data units written and read back, and a discard now and then.
io_check() {
	local n u p maxu
	maxu=$((LIVE_LEN * 512 / LIVE_UNIT))
	n=$((1 + RANDOM % 4))
	[ $n -le $maxu ] || n=$maxu
	u=$((RANDOM % (maxu - n + 1)))
	p=$((RANDOM % 8))
	dd if=/tmp/pat$p of=$map bs=$((n * LIVE_UNIT)) count=1 seek=$((u * LIVE_UNIT)) \
		oflag=direct,seek_bytes conv=notrunc status=none ||
		failcase "write of $n units at unit $u failed"
	BLOCK="$u $((n * LIVE_UNIT)) $p $CUR_KEY"
	block_reads || failcase "$n units at unit $u did not read back"
	if chance 25; then
		if [ "$LIVE_DISCARDS" = 0 ]; then
			if blkdiscard -o $((u * LIVE_UNIT)) -l $((n * LIVE_UNIT)) $map 2>/dev/null; then
				failcase "discard passed without allow_discards"
			fi
		elif [ "$LIVE_DISC_CHECK" = 1 ]; then
			blkdiscard -o $((u * LIVE_UNIT)) -l $((n * LIVE_UNIT)) $map ||
				failcase "discard refused with allow_discards"
			BLOCK=""
		fi
	fi
}

became_live() {		# the line just loaded is the live table, resumed
	SUSP=0 KEYV=1 CUR_KEY=$N_KEY
	LIVE_EXPECT=$EXPECT LIVE_LEN=$N_LEN LIVE_UNIT=$N_UNIT
	LIVE_DISCARDS=$N_DISCARDS LIVE_DISC_CHECK=$N_DISC_CHECK
	check_table
	io_check
}

do_line() {
	gen_line
	kmsg_reset
	if [ $EXISTS = 0 ]; then
		op=create
		if [ -n "$WANT" ]; then
			refused_with "$WANT" dmsetup create fz --table "$LINE"
			tally[refused]=$((${tally[refused]:-0} + 1))
			return
		fi
		dmsetup create fz --table "$LINE" || failcase "create failed"
		EXISTS=1
		tally[created]=$((${tally[created]:-0} + 1))
		became_live
		return
	fi
	op=reload
	if [ -n "$WANT" ] && [ $AT = load ]; then
		refused_with "$WANT" dmsetup load fz --table "$LINE"
		tally[refused]=$((${tally[refused]:-0} + 1))
		return
	fi
	dmsetup load fz --table "$LINE" || failcase "load failed"
	if [ -n "$WANT" ]; then
		# Refused when it would go live: the old table stays, suspended.
		refused_with "$WANT" dmsetup resume fz
		SUSP=1
		tally[refused at resume]=$((${tally[refused at resume]:-0} + 1))
		return
	fi
	dmsetup resume fz || failcase "resume of a good reload failed"
	tally[reloaded]=$((${tally[reloaded]:-0} + 1))
	became_live
}

# A random message; sets MSG, and MWANT (a reason, or "" to work).
gen_msg() {
	local k=$((RANDOM % 4)) hex
	hex=${keys[k]}
	chance 20 && hex=${hex^^}
	MWANT="" MKEY=""
	case $((RANDOM % 10)) in
	0|1) pick "key wipe" "KEY WIPE" "Key Wipe"; MSG=$REPLY MKEY=wipe ;;
	2|3) MSG="key set $hex" MKEY=$k ;;
	4) MSG="key set :64:logon:fz:good" MKEY=0 ;;
	5|6) pick "${keys[k]:0:64}:AES-128 refused" ":64:logon:fz:missing:Keyring key not found" \
		"${hex:0:127}:odd number of hex digits" ":64:user:fz:user:only logon keys" \
		"-:Key not shown" ":64:logon:fz:short:payload is not 64 bytes"
	   MSG="key set ${REPLY%:*}" MWANT=${REPLY##*:} MKEY=bad ;;
	7) pick "key set" "key wipe now" "key set a b" "key frobnicate"
	   MSG=$REPLY MWANT="unrecognised message" MKEY=bad ;;
	*) pick frobnicate key "keys wipe" "wipe key"
	   MSG=$REPLY MWANT="unrecognised message" ;;
	esac
	# Anything "key <something>" is refused while live before it is read.
	if [ -z "$MWANT" ] || [ "$MKEY" = bad ]; then
		[ $SUSP = 1 ] || MWANT="key messages are accepted only while suspended"
	fi
}

try_resume() {		# resume works exactly when a key is loaded
	kmsg_reset
	op="resume"
	if [ "$KEYV" = 1 ]; then
		dmsetup resume fz || failcase "resume with a key loaded failed"
		SUSP=0
	else
		refused_with "resume refused: no key is loaded" dmsetup resume fz
	fi
}

do_messages() {
	local n=$((1 + RANDOM % 4)) i keyset=0
	chance 70 && [ $SUSP = 0 ] && { dmsetup suspend fz; SUSP=1; }
	for ((i = 0; i < n && item < items; i++)); do
		item=$((item + 1))
		gen_msg
		kmsg_reset
		op="message '$MSG' while $([ $SUSP = 1 ] && echo suspended || echo live)"
		LINE="(none: a message to the live table)"
		WANT=$MWANT
		if [ -n "$MWANT" ]; then
			refused_with "$MWANT" dmsetup message fz 0 $MSG
			tally[messages refused]=$((${tally[messages refused]:-0} + 1))
		else
			dmsetup message fz 0 $MSG || failcase "message failed"
			tally[messages]=$((${tally[messages]:-0} + 1))
			if [ "$MKEY" = wipe ]; then
				KEYV=0 CUR_KEY=-1
			else
				KEYV=1 CUR_KEY=$MKEY keyset=1
				# The table shows the key given last.
				local k=- f
				[[ $MSG == *:logon:* ]] && k=:64:logon:fz:good
				read -r -a f <<<"$LIVE_EXPECT"
				f[4]=$k
				LIVE_EXPECT=${f[*]}
			fi
		fi
	done
	check_status
	[ $keyset = 0 ] || check_table
	chance 80 && [ $SUSP = 1 ] && try_resume
	if [ $SUSP = 0 ] && [ -n "$BLOCK" ]; then
		op="read after key messages"
		if [ "${BLOCK##* }" = "$CUR_KEY" ]; then
			block_reads || failcase "data does not read back under the key that wrote it"
		else
			! block_reads || failcase "data read back under another key"
		fi
	fi
	return 0
}

t0=$(date +%s)
while [ $item -lt $items ]; do
	if [ $EXISTS = 1 ] && chance 8; then
		item=$((item + 1))
		op=remove LINE="(none)"
		dmsetup remove fz || failcase "remove failed (suspended: $SUSP)"
		EXISTS=0 BLOCK=""
		tally[removed]=$((${tally[removed]:-0} + 1))
	elif [ $EXISTS = 1 ] && chance 20; then
		do_messages
	else
		item=$((item + 1))
		do_line
	fi
	if [ $((item % 100)) = 0 ]; then
		log "$item items, $(($(date +%s) - t0)) s"
	fi
done
[ $EXISTS = 0 ] || dmsetup remove fz
for k in "${!tally[@]}"; do echo "$k: ${tally[$k]}"; done | sort

# The whole kernel log of the run: no warning, no key byte.
nap 0.2
kmsg_drain
! grep -E 'BUG:|WARNING:|Oops|general protection|Call Trace' /tmp/kmsg.log ||
	fail "the kernel complained (seed $seed)"
! grep -i -F -f /tmp/key-pieces /tmp/kmsg.log || fail "key bytes in the kernel log (seed $seed)"
log "$items items in $(($(date +%s) - t0)) s, kernel log clean"
