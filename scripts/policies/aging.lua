-- Aging (an 8-bit counter per page fed by the Accessed bit every 10,000 instructions):
--   vmlab run --policy lua:scripts/policies/aging.lua [options] PROGRAM
return require("replacement").aging(10000)
