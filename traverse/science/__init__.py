"""Science along the track: radargrams of the drives (:mod:`~traverse.science.radargram`)."""
