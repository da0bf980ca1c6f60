#!/usr/bin/env bash
# Fails when an include points up the layers:
#   sock -> icmp6 -> ip6 -> link -> core -> wire
# (a layer may include itself and anything to its right; stack.c may
# include everything).
set -u
src=${1:-$(dirname "$0")/../src}
order=(wire core link ip6 icmp6 sock)
rank() { local i; for i in "${!order[@]}"; do [ "${order[$i]}" = "$1" ] && echo "$i" && return; done; echo -1; }
bad=0
for layer in "${order[@]}"; do
  r=$(rank "$layer")
  # Subfolders too (link/off/: stand-ins for optional parts).
  while IFS= read -r f; do
    while IFS= read -r inc; do
      dep=${inc%%/*}
      d=$(rank "$dep")
      [ "$d" -lt 0 ] && continue
      if [ "$d" -gt "$r" ]; then
        echo "layering: $f includes \"$inc\" ($dep is above $layer)"; bad=1
      fi
    done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f")
  done < <(find "$src/$layer" -name '*.[ch]' | sort)
done
# wire/ is pure: nothing of ours but wire/ (and core types).
if grep -l '#include "\(link\|ip6\|icmp6\|sock\)/' "$src"/wire/*.[ch] 2>/dev/null; then bad=1; fi
[ $bad -eq 0 ] && echo "layers ok"
exit $bad
