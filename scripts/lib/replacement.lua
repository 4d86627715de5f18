-- Replacement policies written in Lua (used by experiments/lua_policy.lua; copy one to start
-- your own). Each function returns a fresh policy table for vmlab.machine{policy = ...}, or
-- for tlb_policy = {["l1d.4k"] = ...}.

local replacement = {}

-- The eligible candidates as a set (victim may only return one of them).
local function eligible_set(candidates)
  local set = {}
  for _, c in ipairs(candidates) do set[c.pfn] = true end
  return set
end

-- A ring of frames in load order with O(1) removal, and a hand that walks it.
local function new_ring()
  local ring = {next = {}, prev = {}, head = nil, tail = nil, size = 0}
  function ring.push(pfn)
    ring.prev[pfn], ring.next[pfn] = ring.tail, nil
    if ring.tail then ring.next[ring.tail] = pfn else ring.head = pfn end
    ring.tail = pfn
    ring.size = ring.size + 1
  end
  function ring.remove(pfn)
    if ring.prev[pfn] == nil and ring.head ~= pfn then return false end
    local p, n = ring.prev[pfn], ring.next[pfn]
    if p then ring.next[p] = n else ring.head = n end
    if n then ring.prev[n] = p else ring.tail = p end
    ring.prev[pfn], ring.next[pfn] = nil, nil
    ring.size = ring.size - 1
    return true, n
  end
  return ring
end

-- FIFO: evict the page that came in first.
function replacement.fifo()
  local ring = new_ring()
  return {
    name = "lua-fifo",
    on_load = ring.push,
    on_release = ring.remove,
    victim = function(candidates)
      local ok = eligible_set(candidates)
      local pfn = ring.head
      while pfn and not ok[pfn] do pfn = ring.next[pfn] end
      return pfn
    end,
  }
end

-- CLOCK (second chance): the hand passes over a referenced page once, clearing its bit.
function replacement.clock()
  local ring, hand = new_ring(), nil
  return {
    name = "lua-clock",
    on_load = ring.push,
    on_release = function(pfn)
      local was_hand = pfn == hand
      local removed, after = ring.remove(pfn)
      if removed and was_hand then hand = after end
    end,
    victim = function(candidates, pages)
      local ok = eligible_set(candidates)
      for _ = 1, 2 * ring.size + 1 do
        local pfn = hand or ring.head
        if pfn == nil then return nil end
        hand = ring.next[pfn]
        if ok[pfn] and not pages:clear_referenced(pfn) then return pfn end
      end
    end,
  }
end

-- Aging: every `tick` instructions (at the next eviction) each candidate's 8-bit counter
-- shifts right and takes its Accessed bit (harvested) on top; the lowest counter goes, the
-- oldest page among equals. Pages used in recent ticks have high counters and stay.
function replacement.aging(tick)
  tick = tick or 10000
  local counter, last_tick = {}, 0
  return {
    name = "lua-aging",
    on_load = function(pfn) counter[pfn] = 0x80 end,  -- just used
    on_release = function(pfn) counter[pfn] = nil end,
    victim = function(candidates, pages)
      local now = candidates[1].loaded_at + candidates[1].age
      local aging = now - last_tick >= tick
      if aging then last_tick = now end
      local best, best_count
      for _, c in ipairs(candidates) do
        local n = counter[c.pfn] or 0
        if aging then
          n = (n >> 1) | (pages:clear_referenced(c.pfn) and 0x80 or 0)
          counter[c.pfn] = n
        end
        if best_count == nil or n < best_count then best, best_count = c.pfn, n end
      end
      return best
    end,
  }
end

-- FIFO that prefers clean pages: evicting them costs no write to swap. A page loaded during
-- this very instruction (age 0) is never taken: a zero-filled page is clean until the
-- faulting instruction writes it, and evicting it makes the retried instruction fault again,
-- forever (a livelock between the instruction's code page and its data page).
function replacement.clean_first()
  return {
    name = "lua-clean",
    victim = function(candidates)
      for _, c in ipairs(candidates) do
        if not c.dirty and c.age > 0 then return c end
      end
      return candidates[1]
    end,
  }
end

-- LRU for one TLB array of `ways` ways: the way used longest ago (ways count from 0).
function replacement.tlb_lru(ways)
  local stamp, clock = {}, 0
  local function touch(set, way)
    clock = clock + 1
    stamp[set * ways + way] = clock
  end
  return {
    on_fill = touch,
    on_hit = touch,
    victim = function(set)
      local oldest, victim = math.huge, 0
      for way = 0, ways - 1 do
        local s = stamp[set * ways + way] or 0
        if s < oldest then oldest, victim = s, way end
      end
      return victim
    end,
  }
end

-- MRU: evict the way used last (good for scans larger than the TLB, bad otherwise).
function replacement.tlb_mru(ways)
  local lru = replacement.tlb_lru(ways)
  local stamp_of = {}
  local clock = 0
  local function touch(set, way)
    clock = clock + 1
    stamp_of[set * ways + way] = clock
  end
  lru.on_fill, lru.on_hit = touch, touch
  lru.victim = function(set)
    local newest, victim = -1, 0
    for way = 0, ways - 1 do
      local s = stamp_of[set * ways + way] or 0
      if s > newest then newest, victim = s, way end
    end
    return victim
  end
  return lru
end

return replacement
