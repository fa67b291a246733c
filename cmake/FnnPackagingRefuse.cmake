# CPACK_PRE_BUILD_SCRIPTS of FnnPackaging.cmake when dpkg-shlibdeps was not found at configure
# time: packages without fnn's run-time dependencies would install and then fail to start.
message(FATAL_ERROR "cpack: dpkg-shlibdeps was not found when fnn was configured, so the fnn "
                    "package would declare none of its dependencies: install dpkg-dev and file "
                    "(.ci/install-deps), reconfigure, and run cpack again")
