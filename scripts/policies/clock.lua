-- Second-chance CLOCK written in Lua (faults exactly like --policy clock):
--   vmlab run --policy lua:scripts/policies/clock.lua [options] PROGRAM
return require("replacement").clock()
