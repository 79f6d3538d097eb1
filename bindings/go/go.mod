module mproc.example/mproc

go 1.19
