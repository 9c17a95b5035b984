# A package, so that these modules' names do not collide with test modules of
# the same name elsewhere in tests/, and share the helpers of _reference.py.
