# bash completion for parapipe; installed as share/bash-completion/completions/parapipe.
# Plain compgen, so it works with or without the bash-completion package's helpers.
_parapipe() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    local common="--mode -m --workers -w -j --max-attempts --progress --hidden --stats --quiet -q --help -h"
    COMPREPLY=()
    case "$prev" in
        --mode|-m) COMPREPLY=($(compgen -W "seq threads processes shm mpi" -- "$cur")); return ;;
        --progress) COMPREPLY=($(compgen -W "auto always never" -- "$cur")); return ;;
        --workers|-w|-j|--max-attempts|--top|-k|--chunk-size|-c|--band-rows|--max-pixels|--ops) return ;;
        --output|-o)
            if [ "${COMP_WORDS[2]}" = image ]; then COMPREPLY=($(compgen -d -- "$cur")); else COMPREPLY=($(compgen -f -- "$cur")); fi
            return ;;
        --plot) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    esac
    case "${COMP_WORDS[1]}" in
        run)
            if [ "$COMP_CWORD" -eq 2 ]; then
                COMPREPLY=($(compgen -W "wordcount image" -- "$cur"))
                return
            fi
            case "${COMP_WORDS[2]}" in
                wordcount)
                    if [ "$prev" = --format ] || [ "$prev" = -f ]; then COMPREPLY=($(compgen -W "tsv csv json" -- "$cur")); return; fi
                    [[ "$cur" == -* ]] && COMPREPLY=($(compgen -W "$common --chunk-size -c --top -k --format -f --output -o" -- "$cur"))
                    ;;
                image)
                    if [ "$prev" = --format ] || [ "$prev" = -f ]; then COMPREPLY=($(compgen -W "same png jpg webp" -- "$cur")); return; fi
                    [[ "$cur" == -* ]] && COMPREPLY=($(compgen -W "$common --ops --output -o --format -f --tile --band-rows --histogram --max-pixels" -- "$cur"))
                    ;;
            esac
            [[ "$cur" == -* ]] || COMPREPLY=($(compgen -f -- "$cur"))
            ;;
        list) ;;
        bench) COMPREPLY=($(compgen -W "$(parapipe bench --help 2>/dev/null | grep -o -- '--[a-z-]*' | sort -u)" -- "$cur")) ;;
        *) COMPREPLY=($(compgen -W "list run bench --help --version" -- "$cur")) ;;
    esac
}
complete -o filenames -F _parapipe parapipe
