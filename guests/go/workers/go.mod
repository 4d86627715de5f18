module vmlab/guests/workers

go 1.19
