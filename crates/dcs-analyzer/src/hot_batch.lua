#!lua flags=no-writes,allow-cross-slot-keys
-- One batch of a hot-key scan, done inside the server (scan_script.rs): SCAN, then
-- OBJECT FREQ of each key it returned. Replies the next cursor, the number of keys scanned,
-- then name and counter of each key whose counter is at least ARGV[3] (the least a key must
-- have to be kept): one reply per batch instead of one per key.
local batch = redis.call('SCAN', ARGV[1], 'COUNT', ARGV[2])
local least = tonumber(ARGV[3])
local out = {batch[1], #batch[2]}
for _, key in ipairs(batch[2]) do
  -- false: the key expired or was deleted since SCAN returned it.
  local freq = redis.call('OBJECT', 'FREQ', key)
  if freq and freq >= least then
    out[#out + 1] = key
    out[#out + 1] = freq
  end
end
return out
