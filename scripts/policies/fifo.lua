-- FIFO written in Lua, for any run:
--   vmlab run --policy lua:scripts/policies/fifo.lua [options] PROGRAM
-- It faults exactly like --policy fifo. The code is scripts/lib/replacement.lua; a policy file
-- is a chunk that returns a policy table (scripts/README.md, "Page replacement").
return require("replacement").fifo()
