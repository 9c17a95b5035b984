# A package, so that these modules' names (test_gamma, test_poisson, …) do not
# collide with test modules of the same name elsewhere in tests/.
